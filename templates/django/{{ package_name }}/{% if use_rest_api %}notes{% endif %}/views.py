from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from .models import Note
from .serializers import NoteSerializer


class IsOwnerOrReadOnly(permissions.BasePermission):
    """Anyone may read a note; only its owner may change or delete it."""

    def has_object_permission(self, request: Request, view: APIView, obj: Note) -> bool:
        return request.method in permissions.SAFE_METHODS or obj.owner == request.user


class NoteViewSet(viewsets.ModelViewSet):
    """`/api/notes/`: list and read for everyone, create when logged in, edit your own."""

    queryset = Note.objects.select_related("owner")
    serializer_class = NoteSerializer
    permission_classes = (permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly)

    def perform_create(self, serializer: BaseSerializer[Note]) -> None:
        serializer.save(owner=self.request.user)
