"""Writes of the webhooks app, one module per area: endpoints, deliveries (fan-out, pings,
replays, pruning) and removal."""
