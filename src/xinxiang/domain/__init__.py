"""Pure domain model: letters, tickets, states and deadline arithmetic. Standard library only."""
