"""Reports: report context, notebook execution, HTML/PDF export and the batch runner."""
