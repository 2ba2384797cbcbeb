"""A person's API token: sign in with 工号 (or phone) and password, and sign out."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.authentication import PasswordChangeRequired
from lms.api.v1.errors import errors
from lms.org.selectors import password_change_pending
from lms.org.services import api_token_create, api_tokens_revoke


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class ObtainTokenApi(ObtainAuthToken):
    """A new token for this device (the same request and answer as DRF's token view).

    Only its digest is stored; it lasts API_TOKEN_TTL_DAYS after its last use and ends
    when the person's password changes. Someone still holding a password HR gave them
    gets none: that password is about to be replaced, and with it every token.
    """

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: TokenOutput,
            **errors(
                400,
                429,
                anonymous=True,
                described={
                    429: "Too many failed sign-ins from this address, or this account is "
                    "locked for a while (see Retry-After)."
                },
            ),
        },
        summary="Sign in: get an API token",
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if password_change_pending(user):
            raise PasswordChangeRequired()
        return Response(TokenOutput({"token": api_token_create(user=user)}).data)


class RevokeTokenApi(APIView):
    """Forget the token this request carries (a lost phone, a leaked script).

    From a browser session, which carries no token, every token of the caller goes.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Revoke my API token")
    def post(self, request: Request) -> Response:
        digest = getattr(request.auth, "digest", None)
        api_tokens_revoke(user=request.user, digest=digest)
        return Response(status=status.HTTP_204_NO_CONTENT)
