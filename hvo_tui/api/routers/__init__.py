"""The API's endpoints, one module per area; ``hvo_tui.api.app`` includes each router."""
