"""Notifications to writers, reviewers and coordinators from the timeline: email over SMTP when configured."""
