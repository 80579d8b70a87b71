"""Project schedules: tasks (WBS), dependencies, calendars, the critical path and baselines."""
