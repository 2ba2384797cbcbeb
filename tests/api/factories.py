"""What the API tests build: a signed-in API client for a role."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.factories import EmployeeFactory


def api_client_for(role: str | None) -> APIClient:
    """An API client signed in as a new person with this role (anonymous for None)."""
    client = APIClient()
    if role is not None:
        employee = EmployeeFactory(roles=[role])
        client.force_authenticate(employee.user)
        client.employee = employee
        client.user = employee.user
    return client
