"""Operations of one process: health and metrics endpoint, logging."""
