"""The running privacy-triage service: config, store, mail in/out, pipeline, Slack app, CLI."""
