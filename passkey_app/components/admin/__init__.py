"""The admin dashboard's widgets: layout, tables, charts and the user page."""
