"""Writes the benchmark input of the delta scripts: N rows of (id int64 ascending, x float64,
s string with 1024 distinct values) as one zstd Parquet file. Usage: make_rows.py PATH N"""
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

n = int(sys.argv[2])
i = pa.array(range(n), pa.int64())
t = pa.table({"id": i, "x": pc.multiply(pc.cast(i, pa.float64()), 0.5),
              "s": pc.binary_join_element_wise("row-", pc.cast(pc.bit_wise_and(i, 1023), pa.string()), "")})
pq.write_table(t, sys.argv[1], compression="zstd")
