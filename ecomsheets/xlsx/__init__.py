"""What every xlsx writer shares: where tables sit in a sheet (layout), cell styles, page setup,
the worksheet helper and the cleaning of text before it is written."""
