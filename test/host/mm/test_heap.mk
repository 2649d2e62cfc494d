test_heap_SRCS := kernel/mm/heap.c kernel/mm/heap_bump.c kernel/mm/heap_tree.c kernel/mm/heap_list.c kernel/mm/heap_block.c
