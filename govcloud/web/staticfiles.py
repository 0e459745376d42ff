"""Which static files `collectstatic` gathers for production."""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    """Django's staticfiles app without the front-end builds that no page loads.

    The npm packages ship every build they have: ECharts ten (51 MB with their source maps) of
    which the pages load echarts.min.js, Bootstrap its CSS and JS in a dozen variants of which they
    load bootstrap.min.css and bootstrap.bundle.min.js, htmx five of which they load htmx.min.js;
    drf-spectacular-sidecar ships Redoc, which the API docs (Swagger UI) do not use, and
    django-htmx its own copies of htmx. collectstatic has WhiteNoise compress whatever it gathers
    with gzip and Brotli at their highest levels: those builds alone took minutes at every
    deployment. A pattern matches a file's or folder's name, or a file's path inside its static
    folder (node_modules/<package>/dist for the vendor folders). A page that links a file left out
    here fails to render in production; tests/test_setup_production.py checks every file that a
    template links."""

    ignore_patterns = [
        *DjangoStaticFilesConfig.ignore_patterns,
        # vendor/echarts
        "echarts.js",
        "echarts.js.map",
        "echarts.esm*",
        "echarts.common*",
        "echarts.simple*",
        "extension",
        # vendor/bootstrap (paths inside bootstrap/dist; DRF's own Bootstrap 3 stays)
        "css/bootstrap.css*",
        "css/bootstrap.rtl*",
        "css/bootstrap-*",
        "js/bootstrap.js*",
        "js/bootstrap.esm*",
        "js/bootstrap.min.js*",
        "js/bootstrap.bundle.js*",
        # vendor/htmx
        "htmx.js",
        "htmx.amd.js",
        "htmx.cjs.js",
        "htmx.esm.*",
        "ext",
        # vendor/quill (the report editor loads quill.js and quill.snow.css)
        "quill.core.*",
        "quill.bubble.*",
        "drf_spectacular_sidecar/redoc/*",
        "django_htmx/*",
    ]
