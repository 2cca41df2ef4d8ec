"""One study per chapter: each runs the chapter's computation and returns a `StudyResult` of
numbers, tables and figures that the chapter glues. Benchmarks call the same functions."""

from customs_anomaly.studies.appendix import appendix_study
from customs_anomaly.studies.common import Context, StudyResult
from customs_anomaly.studies.demo import demo_study
from customs_anomaly.studies.differentiation import differentiation_study
from customs_anomaly.studies.evaluation import evaluation_study
from customs_anomaly.studies.explore import explore_study
from customs_anomaly.studies.learning import learning_study
from customs_anomaly.studies.merge import merge_study
from customs_anomaly.studies.mock import mock_study
from customs_anomaly.studies.modeling import modeling_study
from customs_anomaly.studies.operations import operations_study, schemes_study

__all__ = [
    "Context",
    "StudyResult",
    "appendix_study",
    "demo_study",
    "differentiation_study",
    "evaluation_study",
    "explore_study",
    "learning_study",
    "merge_study",
    "mock_study",
    "modeling_study",
    "operations_study",
    "schemes_study",
]
