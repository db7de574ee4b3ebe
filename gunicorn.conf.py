"""gunicorn settings for coop (read automatically when gunicorn starts in this folder;
elsewhere pass ``-c gunicorn.conf.py``). Command-line options override these."""
import gc
import multiprocessing

bind = "127.0.0.1:8000"
#: Two sync workers per core: requests spend part of their time waiting for the database.
workers = 2 * multiprocessing.cpu_count()
timeout = 60  # XLSX exports of a large register take a while
forwarded_allow_ips = "127.0.0.1"


def post_worker_init(worker):
    # The app, its templates and translations are loaded by now and live as long as the
    # worker: freezing them keeps the garbage collector from walking them on every request.
    gc.freeze()
    # A page allocates tens of thousands of short-lived objects (ORM rows, template output)
    # that reference counting frees; with the default threshold of 700 the cycle collector
    # would still run dozens of times per page. Collect the young generation less often.
    gc.set_threshold(20_000, 20, 20)
