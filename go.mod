module rcgithub

go 1.26.8
