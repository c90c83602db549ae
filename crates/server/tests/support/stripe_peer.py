"""A Stripe-compatible server for the tests: localstripe (from PyPI), with what it lacks and
Stint uses added on top: Checkout sessions, and a stand-in for Stripe's hosted page that pays
one with a test card. Paying runs localstripe's own PaymentIntent machinery, which posts the
signed `payment_intent.succeeded` event to the webhook endpoints registered with it.

Usage: stripe_peer.py NOW_UNIX_SECONDS. Listens on a free port of 127.0.0.1 and prints
`port <n>` once it is ready. Its clock starts at NOW (the test server's clock) so the
events it signs are fresh to the server under test. Nothing is kept on disk.
"""

import asyncio
import socket
import sys
import time as real_time

from aiohttp import web
from localstripe import resources, server
from localstripe.resources import PaymentIntent, PaymentMethod, random_id


class Clock:
    """localstripe's `time` module, started at the test server's instant."""

    def __init__(self, start):
        self.offset = start - real_time.time()

    def time(self):
        return real_time.time() + self.offset

    def __getattr__(self, name):
        return getattr(real_time, name)


resources.time = Clock(float(sys.argv[1]))
# Each peer keeps its objects in memory only (localstripe writes one shared file otherwise).
resources.Store.dump_to_disk = lambda self: None

sessions = {}


def first_item(items):
    if isinstance(items, dict):
        items = [items[k] for k in sorted(items)]
    return items[0]


async def create_checkout_session(request):
    data = await server.get_post_data(request) or {}
    item = first_item(data["line_items"])
    price = item["price_data"]
    amount = int(price["unit_amount"]) * int(item.get("quantity", 1))
    metadata = (data.get("payment_intent_data") or {}).get("metadata") or {}
    intent = PaymentIntent._api_create(
        amount=amount, currency=price["currency"], metadata=dict(metadata)
    )
    sid = "cs_test_" + random_id(24)
    host = request.headers["Host"]
    session = {
        "id": sid,
        "object": "checkout.session",
        "mode": data.get("mode"),
        "amount_total": amount,
        "currency": price["currency"],
        "payment_intent": intent.id,
        "payment_status": "unpaid",
        "client_reference_id": data.get("client_reference_id"),
        "customer_email": data.get("customer_email"),
        "metadata": data.get("metadata") or {},
        "success_url": data.get("success_url"),
        "cancel_url": data.get("cancel_url"),
        "url": f"http://{host}/_config/checkout/{sid}",
    }
    sessions[sid] = session
    return web.json_response(session)


async def hosted_page(request):
    session = sessions.get(request.match_info["id"])
    if session is None:
        raise web.HTTPNotFound()
    return web.Response(
        text=f"<h1>Pay {session['amount_total']} {session['currency']}</h1>"
        f"<form method=post action=/_config/checkout/{session['id']}/pay><button>Pay</button></form>",
        content_type="text/html",
    )


async def pay(request):
    """Pays a session with the 4242 test card, as a buyer on Stripe's page would."""
    session = sessions.get(request.match_info["id"])
    if session is None:
        raise web.HTTPNotFound()
    card = PaymentMethod._api_create(
        type="card",
        card={"number": "4242424242424242", "exp_month": "12", "exp_year": "2040", "cvc": "123"},
    )
    intent = PaymentIntent._api_retrieve(session["payment_intent"])
    intent.payment_method = card.id
    PaymentIntent._api_confirm(intent.id)
    session["payment_status"] = "paid"
    raise web.HTTPSeeOther(session["success_url"])


app = server.app
app.router.add_post("/v1/checkout/sessions", create_checkout_session)
app.router.add_get("/_config/checkout/{id}", hosted_page)
app.router.add_post("/_config/checkout/{id}/pay", pay)


async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.SockSite(runner, sock)
    await site.start()
    print(f"port {sock.getsockname()[1]}", flush=True)
    while True:
        await asyncio.sleep(3600)


asyncio.run(main())
