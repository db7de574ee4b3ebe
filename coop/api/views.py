"""JSON API v1 routes and the OpenAPI document."""
