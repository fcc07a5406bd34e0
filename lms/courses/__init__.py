"""Courses: authoring, versions, catalog, enrolment, progress and the course-folder import."""
