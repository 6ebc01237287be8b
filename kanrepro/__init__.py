"""kanrepro: reproducing the KAN vs MLP claims."""
