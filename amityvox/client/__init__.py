"""The AmityVox Python client: REST, the gateway and a cache kept current from events.

    async with Client("http://127.0.0.1:8080") as client:
        await client.login("alice", "correct horse")
        await client.start()

        @client.on("MESSAGE_CREATE")
        async def greet(message):
            ...

It depends on the server package only for `amityvox.events` (the event catalog).
"""

from amityvox.client.client import Client
from amityvox.client.commands import (
    CHANNEL,
    PARAGRAPH,
    ROLE,
    SHORT,
    USER,
    AnsweredWithModal,
    Interaction,
    Option,
    TextInput,
)
from amityvox.client.convergence import assert_converged, fetch_state
from amityvox.client.deliveries import verify_delivery
from amityvox.client.errors import ApiError, GatewayError
from amityvox.client.gateway import GatewayClient
from amityvox.client.normal_form import VOLATILE_FIELDS
from amityvox.client.rest import RestClient
from amityvox.client.state import State, UnknownEvent, handled_event_names

__all__ = [
    "CHANNEL",
    "PARAGRAPH",
    "ROLE",
    "SHORT",
    "USER",
    "VOLATILE_FIELDS",
    "AnsweredWithModal",
    "ApiError",
    "Client",
    "GatewayClient",
    "GatewayError",
    "Interaction",
    "Option",
    "RestClient",
    "State",
    "TextInput",
    "UnknownEvent",
    "assert_converged",
    "fetch_state",
    "handled_event_names",
    "verify_delivery",
]
