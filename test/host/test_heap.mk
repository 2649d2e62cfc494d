test_heap_SRCS := kernel/heap.c kernel/heap_bump.c kernel/heap_tree.c kernel/heap_list.c kernel/heap_block.c
