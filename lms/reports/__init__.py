"""Reports for HR and supervisors: read-only queries and exports over every domain."""
