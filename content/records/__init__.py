"""The kms_import / kms_export record format: validation and normalisation.

A record is one JSON object a line. :func:`validate_record` checks one record against a
:class:`Catalog` of what exists (in the database and on earlier lines of the same file),
returning the normalised record or every problem with it. Normalised records have every
field present, in a fixed order, so that an exported record and the record it came from
compare equal — which is what makes "an unchanged record makes nothing" and a lossless
round trip possible.

A file is read by :mod:`~content.records.lines` (a stream of bounded lines),
:mod:`~content.records.decoding` (one line to one JSON object fit to be a record) and
:mod:`~content.records.reading` (every line decoded and validated, in file order); the
limits every field is held to are in content.limits.
"""

from content.records.catalog import STATUSES, Catalog, Problem, Record
from content.records.exports import (
    article_record,
    branch_record,
    category_record,
    override_record,
    product_record,
)
from content.records.validators import category_path, validate_record

__all__ = [
    "STATUSES",
    "Catalog",
    "Problem",
    "Record",
    "article_record",
    "branch_record",
    "category_path",
    "category_record",
    "override_record",
    "product_record",
    "validate_record",
]
