"""Typed application state of the AI service, declared in one place."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from graphnode.adapters.sqs import QueueClient
from graphnode.ai.components import PipelineComponents
from graphnode.ai.service.graph_tasks import GraphTaskRunner
from graphnode.ai.service.supervisor import TaskSupervisor
from graphnode.messaging.consumer import Consumer
from graphnode.messaging.metrics import ConsumerMetrics
from graphnode.settings import Settings


@dataclass
class AiService:
    settings: Settings
    components: PipelineComponents
    runner: GraphTaskRunner
    supervisor: TaskSupervisor
    sqs: QueueClient
    metrics: ConsumerMetrics
    consumer: Consumer | None = None


SETTINGS = web.AppKey("settings", Settings)
SERVICE = web.AppKey("service", AiService)
