"""The wire and data contract (docs/contract.md), imported by every service."""

from graphnode.contracts.envelope import MAX_MESSAGE_BYTES, Message, parse_message
from graphnode.contracts.errors import ContractError
from graphnode.contracts.identifiers import (
    FEATURES_FILE,
    GRAPH_FILE,
    SUMMARY_FILE,
    bundle_prefix,
    require_owned_key,
    result_key,
)
from graphnode.contracts.results import (
    FeaturesFile,
    GraphAdditionFile,
    GraphFile,
    SummaryFile,
    parse_features,
    parse_graph,
    parse_graph_addition,
    parse_summary,
)
from graphnode.contracts.tasks import (
    PAYLOAD_TYPES,
    AddNodeRequest,
    AddNodeResult,
    GenerationOptions,
    GraphGenerationProgress,
    GraphGenerationRequest,
    GraphGenerationResult,
    GraphSummaryRequest,
    GraphSummaryResult,
    Payload,
    ResultStatus,
    TaskType,
)

__all__ = [
    "FEATURES_FILE",
    "GRAPH_FILE",
    "MAX_MESSAGE_BYTES",
    "PAYLOAD_TYPES",
    "SUMMARY_FILE",
    "AddNodeRequest",
    "AddNodeResult",
    "ContractError",
    "FeaturesFile",
    "GenerationOptions",
    "GraphAdditionFile",
    "GraphFile",
    "GraphGenerationProgress",
    "GraphGenerationRequest",
    "GraphGenerationResult",
    "GraphSummaryRequest",
    "GraphSummaryResult",
    "Message",
    "Payload",
    "ResultStatus",
    "SummaryFile",
    "TaskType",
    "bundle_prefix",
    "parse_features",
    "parse_graph",
    "parse_graph_addition",
    "parse_message",
    "parse_summary",
    "require_owned_key",
    "result_key",
]
