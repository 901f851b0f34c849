"""What people read: views per page, Swedish sentences and labels, charts, maps, report and exports."""
