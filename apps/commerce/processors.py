"""Payment processors: the one interface commerce asks to take money, and a registry by name.

Commerce never talks to a payment provider directly: a renewal (and, later, a purchase) hands
a ``ChargeRequest`` to the processor its row names (``payment_processor``) and records the
``ChargeResult`` it answers: ``paid``, ``pending`` (the money is not there yet; someone or
something settles it later) or ``failed``, with the processor's order id and its raw answer.
The interface is about processors, not about what is being paid for.

``request.reference`` is the caller's id for this one charge (e.g. an installment id): a
processor must treat a second request with the same reference as the same charge, so a retry
after a crash never takes the money twice.

The first processor is ``manual``: no provider is called; every charge is ``pending`` until a
person records the payment (for subscriptions ``POST /api/v1/user-subscriptions/{id}/payments``
or the admin, see docs/commerce.md). A new processor is a class with ``name`` and ``charge``,
registered with ``register``.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from apps.commerce.codes import CommerceErrorCode
from apps.core.errors import InvalidInput


class ChargeStatus(StrEnum):
    """What became of a charge."""

    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True)
class ChargeRequest:
    """One charge: ``amount_cents`` minor units of ``currency_code`` from ``customer_id``."""

    school_id: str
    reference: str
    customer_id: str
    amount_cents: int
    currency_code: str
    description: str = ""


@dataclass(frozen=True)
class ChargeResult:
    """The processor's answer: its status, its order id ("" when it has none) and the raw
    response it gave (JSON-serialisable), kept on the payment row."""

    status: ChargeStatus
    order_id: str = ""
    response: dict[str, Any] = field(default_factory=dict)


class PaymentProcessor(Protocol):
    """A way of taking money; ``charge`` must be idempotent on ``request.reference``."""

    name: str

    def charge(self, request: ChargeRequest) -> ChargeResult: ...


class ManualProcessor:
    """No provider is called: the charge waits (``pending``) until a person records it paid."""

    name = "manual"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        return ChargeResult(
            status=ChargeStatus.PENDING,
            response={"processor": self.name, "reference": request.reference},
        )


PROCESSORS: dict[str, PaymentProcessor] = {}
DEFAULT_PROCESSOR = "manual"


def register(processor: PaymentProcessor) -> None:
    """Make ``processor`` available under its ``name`` (a later registration replaces it)."""
    PROCESSORS[processor.name] = processor


def processor_names() -> list[str]:
    """The names a ``payment_processor`` field accepts, sorted."""
    return sorted(PROCESSORS)


def get_processor(name: str) -> PaymentProcessor:
    """The processor registered as ``name``; 400 ``unknown_payment_processor`` otherwise."""
    try:
        return PROCESSORS[name]
    except KeyError:
        raise InvalidInput(
            f"payment_processor: {name!r} is not one of {', '.join(processor_names())}.",
            code=CommerceErrorCode.UNKNOWN_PAYMENT_PROCESSOR,
            field="payment_processor",
        ) from None


register(ManualProcessor())
