"""Project configuration: settings, URL map, the one NinjaAPI, ASGI/WSGI entry points."""
