"""What the original competition entry reported and how it trained: the one place the book
quotes it from."""

from __future__ import annotations

ORIGINAL_EPOCHS = 50  # training epochs of the original's final models A and B
REPORTED = {
    "freight_anomalies": 20,  # freight anomalies among the 100 it injected
    "model_a_freight_found": 8,  # model A found 8 of them
    "model_b_freight_precision": 0.003,
    "model_b_freight_recall": 0.768,
    "model_b_price_precision": 0.012,
    "model_b_price_recall": 0.754,
}
