"""The database: where it is, its state, the light read side (read/) and the heavy write
side (write/). Only ``store.ready`` reaches from the light side to the heavy one, lazily."""
