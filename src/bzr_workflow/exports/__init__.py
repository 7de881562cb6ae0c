"""Documents the engine writes for people: the filled-in recommendation form (.docx, .xlsx)."""
