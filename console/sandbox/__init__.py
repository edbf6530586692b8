"""The sandbox: a simulated GPU inference platform served through real wire APIs."""
