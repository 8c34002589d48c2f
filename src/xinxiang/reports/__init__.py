"""Reports (周报, 月报, 情况专报): figures, SVG charts, PDF and XLSX, scheduled mailing."""
