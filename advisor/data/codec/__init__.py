"""The table codec: a codec per column kind, and the `TableCodec` that holds them for a table.

A new kind of column is one new `ColumnCodec` subclass (fit / parse / encode / decode / requantize /
violations / describe) and one line where `infer` decides kinds; nothing outside this package
switches on a column's kind. Readers of decoded tables use each column's SDMetrics type
(`TableCodec.sdtypes`).
"""

from advisor.data.codec.base import ColumnCodec, DecodeOptions, Repairs
from advisor.data.codec.categories import Boolean, Categorical, Ordinal
from advisor.data.codec.dates import Datetime
from advisor.data.codec.infer import Typing
from advisor.data.codec.leftout import Constant, Dropped, Duplicate, Identifier
from advisor.data.codec.numbers import Continuous, Discrete, Integer
from advisor.data.codec.table import TableCodec

__all__ = [
    "TableCodec",
    "ColumnCodec",
    "DecodeOptions",
    "Repairs",
    "Typing",
    "Continuous",
    "Integer",
    "Discrete",
    "Categorical",
    "Boolean",
    "Ordinal",
    "Datetime",
    "Identifier",
    "Constant",
    "Duplicate",
    "Dropped",
]
