"""Question bank, GIFT and Moodle XML files, quizzes, attempts and grading."""
