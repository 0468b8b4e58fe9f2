"""The one renderer for the API: wraps every body in the envelope (orjson, ~10x faster)."""

from __future__ import annotations

from rest_framework.renderers import BaseRenderer

from .envelope import EnvelopeBody, dumps, success_body
from .request_context import current_request_id


class EnvelopeJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        request = (renderer_context or {}).get("request")
        if response is not None and response.status_code == 204:
            return b""
        if isinstance(data, EnvelopeBody):
            return dumps(data)
        request_id = getattr(request, "request_id", None) or current_request_id()
        message = getattr(response, "envelope_message", "Success")
        return dumps(success_body(data, request_id=request_id, message=message))
