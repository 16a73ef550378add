"""A cooperative's contract set: description, deployment, typed client, demo cooperative."""
