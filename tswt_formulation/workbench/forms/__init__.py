"""The workbench's forms as plain data: no widget is imported anywhere in this package.

Each view of the workbench shows a form over part of a case record. What the form is
lives here, apart from how it is drawn:

* :mod:`.records`: record data addressed by dotted paths, laying a form's values over
  the case as loaded, and what two versions of a record differ by;
* :mod:`.model`: :class:`~.model.FormModel`, a form's fields by record path and kind,
  turning a case into the field values the form shows (strings, dates, lists, bools)
  and the values back into the changed case or a list of problems, each naming its
  field (the package's own validation: :func:`~tswt_formulation.errors.problems_from`
  through :func:`~tswt_formulation.model.case_from_data`);
* one module per view that edits a record (:mod:`.referral`, :mod:`.screening`,
  :mod:`.formulation`, :mod:`.work`, :mod:`.measures`, :mod:`.signoff`), each with the
  values its view shows and what the view's buttons save.

The views (``workbench/*.py``) build widgets, bind their values to these field values
(:class:`tswt_formulation.workbench._forms.Form`) and call the model.
"""
