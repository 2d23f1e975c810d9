"""The job feature: the shared queue listing, submission, job details and output, submit
templates and history, with their REST handlers (the frontend's ``src/jobs/``)."""
