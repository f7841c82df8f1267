"""Field tests: the deployed processes under the faults real deployments meet."""
