test_frame_ref_SRCS := kernel/mm/frame_ref_core.c
