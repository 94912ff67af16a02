"""The client cache's stores, one module per area; `amityvox.client.state.State` combines them."""
