#!/usr/bin/python3
"""Lasso peer: Server.loadMetadata on a metadata aggregate, signature checked against a PEM
certificate, then one provider lookup. Prints JSON with the load time in seconds.
Usage: lasso_load.py AGGREGATE.xml CERT.pem ENTITY-ID"""
import json
import sys
import time

import lasso

path, cert, entity = sys.argv[1:4]
server = lasso.Server()

start = time.process_time()
rc = server.loadMetadata(lasso.PROVIDER_ROLE_IDP, path, cert, None,
                         lasso.SERVER_LOAD_METADATA_FLAG_CHECK_ENTITIES_DESCRIPTOR_SIGNATURE)
load = time.process_time() - start
start = time.perf_counter()
provider = server.getProvider(entity)
lookup = time.perf_counter() - start
print(json.dumps({"loaded": len(rc), "load_cpu_s": load, "found": provider is not None, "lookup_us": lookup * 1e6}))
