-- Each event a payment provider sent, once: a delivery whose event is already here is a
-- replay and changes nothing. `purchase_id` is the purchase it paid, when it paid one.
CREATE TABLE payment_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    purchase_id BIGINT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
