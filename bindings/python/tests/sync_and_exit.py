"""One short life of a Python process: sign in, write a customer, sync, exit without closing.

Run by `test_sync.py` many times as a subprocess (not collected by pytest). A process that
exits right after an async call must exit cleanly: the runtime thread that finished the call
must not still be running Python code while the interpreter shuts down (that aborted one run
in seven with "FATAL: exception not rethrown").

usage: python sync_and_exit.py DATA_DIR   (FIELDSALES_TEST_SERVER / _TENANT from the harness)
"""

import asyncio
import os
import sys

from fieldsales_core import Login, Visibility
from fieldsales_ffi import FieldSales, FieldSalesConfig, NewCustomer

server = os.environ["FIELDSALES_TEST_SERVER"]
tenant = os.environ.get("FIELDSALES_TEST_TENANT", "python")
login = Login(server_url=server, tenant=tenant, username="ann", password="ann-secret-1")
store = asyncio.run(FieldSales.sign_in(sys.argv[1], FieldSalesConfig(user_id=""), login))
store.customers().create(NewCustomer(name="退出前同步", visibility=Visibility.TEAM))
asyncio.run(store.sync().sync())
