"""The server kit: request bodies and list queries as the API took them."""
