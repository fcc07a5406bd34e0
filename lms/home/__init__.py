"""Each role's home page; reads from every domain, imported by none."""
