"""Draft QA: read a draft plan (DOCX) into its sections and run the automated quality checks."""
