module github.com/alexnet-go/alexnet

go 1.26.8
