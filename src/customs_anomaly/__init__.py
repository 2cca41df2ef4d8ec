"""customs_anomaly: unsupervised detection of suspicious seafood imports in Korean customs open data."""

__version__ = "0.3.0"
