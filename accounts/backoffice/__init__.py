"""The back office's shared plumbing, used by every app's ``admin`` (customers, commerce and
the layers above), so that masking, health redaction, audit rows, exports and writes behave the
same on every page:

- ``customer_data``: :class:`CustomerDataAdminMixin`, masking, health fields, the audit rows of
  lists, pages and saves, and the customer search box;
- ``writes``: saves that go through services (:class:`ServiceSaveAdminMixin`,
  :class:`ServiceDeleteAdminMixin`) and rows that are only shown (:class:`ReadOnlyAdminMixin`);
- ``import_export``: audited CSV/XLSX import and export, MANAGER and above;
- ``resources``: the import-export columns that mask personal data;
- ``display``: money and masked read-only columns;
- ``dates``: the date hierarchy without a full-table scan;
- ``permissions``: which model permissions each role's group holds.

See docs/backoffice.md for the pages and docs/architecture.md for the layers.
"""
