"""The deployment files agree with the settings and with the code they start.

docker-compose.yml, Dockerfile and .dockerignore are parsed (no Docker engine, no
database), and the production settings are only ever loaded in a subprocess, so these
tests pass whatever settings module the test run itself uses.
"""
